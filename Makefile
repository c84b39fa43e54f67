# Shortcuts for people used to make; each runs the same command as the README.
.PHONY: lab test bench
lab:
	python3 tasks.py lab
test:
	python3 tasks.py test
bench:
	python3 tasks.py bench
