"""The job's stages in data-flow order; each takes the run's JobContext and adds what it produced."""
