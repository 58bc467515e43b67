"""Programs of the simulated device, one module per command, each with `main()`.

They answer like the real tools (output shapes, prompts, exit codes) and keep
the device state in `edgetui.sim.state`. `iotedge` is the exception: it reads
only device files, PATH programs and the engine API, so the lab packages can
ship it unchanged (see `edgetui.sim.programs.iotedge`).
"""
