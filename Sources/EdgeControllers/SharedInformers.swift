import EdgeClient

/// The controllers' name for the process-wide informer factory, which lives
/// in EdgeClient so the scheduler (and any other component) shares it too.
public typealias SharedInformers = SharedInformerFactory
