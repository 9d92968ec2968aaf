"""Model releases: train a candidate, load it into the running Rasa with no downtime, roll back."""
