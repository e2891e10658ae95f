import DeepestCommands
import Foundation
import MPIProcessGroup

// `deepest-mpi`: the same commands with sde, spde, converge, escape and sweep split over the ranks of an Open
// MPI job (`mpirun -n P deepest-mpi sde ...`; README "MPI", Notes/mpi-shards.md). Without mpirun, Open
// MPI runs it as a singleton: one rank, the results of `deepest`.
do {
    let group = try MPIProcessGroup.start()
    DeepestCommandLine.main(group: group, finalize: { group.finalize() })
} catch {
    FileHandle.standardError.write(Data("deepest-mpi: \(error) (run it under mpirun, or use deepest)\n".utf8))
    exit(1)
}
