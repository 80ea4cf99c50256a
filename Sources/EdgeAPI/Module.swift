// EdgeAPI module
