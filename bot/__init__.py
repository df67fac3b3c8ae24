"""Our Rasa-side code: NLU components and the text utilities they share with the action server."""
