"""The interventions register, what changed after each intervention (impact), and their charts."""
