from rigport.cli.app import main

main()
