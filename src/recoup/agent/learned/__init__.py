"""A learned intent model beside the rules: plain-Python logistic regression over word and
word-piece features, trained on our dev sets and shipped as package data (no numpy, no torch).
``recoup model train`` rebuilds it; ``understand`` consults it where the rules are unsure."""
