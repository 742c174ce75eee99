from gkcat.cli import main

main()
