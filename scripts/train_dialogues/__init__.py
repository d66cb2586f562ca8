"""Dialogues of the training set (scripts/build_train_dialogues.py), one module per writer."""
