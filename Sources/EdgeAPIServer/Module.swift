// EdgeAPIServer module
