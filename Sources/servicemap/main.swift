import ServiceMapCLI

ServiceMapCommand.main()
