# The two commands a new user needs (see README.md).
.PHONY: run test setup

run: setup
	.venv/bin/streamlit run app.py

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh
