/// Why `info --plot` cannot draw a response.
enum PlotError: Error, CustomStringConvertible {
    /// A node that is not a linear, time-invariant, rate-preserving filter: the network has
    /// no one frequency response.
    case notLinear(node: String, op: String)

    var description: String {
        switch self {
        case let .notLinear(node, op):
            return "--plot: node '\(node)' (\(op)) is not a linear, rate-preserving filter, so the network has no one response; "
                + "a response is drawn for networks of conv1d (stride 1, zeros padding), pad, add, gain, delay, cat and slice"
        }
    }
}
