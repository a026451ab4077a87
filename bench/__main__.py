"""`python -m bench --incidents 1000000 --out bench/results`: see bench/run.py."""

from bench.run import main

main()
