from rigport.entrypoints.cli.app import main

main()
