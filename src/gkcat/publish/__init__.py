"""The outputs of a build, their fingerprints, the output folder's rules and the pipeline: the only writer."""
