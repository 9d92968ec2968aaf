"""Extensions loaded by the Rasa server itself (env A). Only light ``bot`` modules."""
