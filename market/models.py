# Tenders, lots, awards, mobilisation, contingency, micro-enterprises and demand arrive with their issues.
