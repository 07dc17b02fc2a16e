"""Quality audits have no background job of their own: their alerts are tasks' rules (tasks/rules/quality.py),
run by the sweep and on the quality topic of quality.signals."""
