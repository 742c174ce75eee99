from gkcat.cli import run

run()
