# One obvious command per task. `make run` and `make test` are the README's two commands.
.PHONY: install run test lint train validate evaluate conversations nlu-inbox clean lock-handoff

install:   ## create or update .venv-rasa and .venv
	scripts/setup.sh
run:       ## set up, train if needed, start Redis/actions/Rasa/handoff API
	scripts/run.sh
test:      ## set up and run every check and test suite
	scripts/test.sh
lint:
	.venv/bin/ruff check .
train:     ## train only when config/domain/data changed
	scripts/train.sh
validate:  ## rasa data validate --fail-on-warnings, minus the warnings Rasa 3.6 cannot avoid
	.venv-rasa/bin/python -m bot.data_validation
evaluate:  ## NLU report, ours vs the Rasa baseline: make evaluate TSV=../shared/eval/external_real.tsv
	scripts/evaluate.sh $(TSV)
nlu-inbox:  ## the trainer's labelled inbox items into data/nlu/inbox.yml (then: scripts/nlu_inbox.sh retrain)
	scripts/nlu_inbox.sh export
conversations:  ## multi-turn conversation suite, pass rate per category: make conversations CASES=confirmation
	scripts/conversations.sh $(CASES)
lock-handoff:  ## re-resolve the handoff environment from requirements/handoff.in
	rm -rf /tmp/lock-venv && python3 -m venv /tmp/lock-venv && /tmp/lock-venv/bin/pip install -q -r requirements/handoff.in \
	  && /tmp/lock-venv/bin/pip freeze --all | grep -v '^pip=\|^setuptools=' > requirements/handoff.lock.txt
clean:     ## remove environments, models and runtime state
	rm -rf .venv .venv-rasa models var
