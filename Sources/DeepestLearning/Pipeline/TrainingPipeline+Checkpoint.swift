/// The stage types that checkpoint and resume under `TrainingPipeline.run(checkpoint:)`
/// (Notes/checkpoints.md): the Langevin stage and the continuum rung ladders. The others (L-BFGS, the
/// discrete rungs, minibatch stages) rerun from their start, deterministically, when a run resumes.
extension TrainingPipeline {
    public static let resumableStageTypes: Set<String> = [LangevinStage.typeName, ContinuumAnnealingStage.typeName,
                                                          TikhonovContinuationStage.typeName, HorizonContinuationStage.typeName]
}
