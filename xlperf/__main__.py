from xlperf.cli import main

main()
