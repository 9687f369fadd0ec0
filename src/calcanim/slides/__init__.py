"""`calcanim slides`: a lesson cut at its natural stops into a presenter page (see build.py)."""
