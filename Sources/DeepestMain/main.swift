import DeepestCommands

// `deepest`: the command line in one process (the commands are in Sources/deepest).
DeepestCommandLine.main()
