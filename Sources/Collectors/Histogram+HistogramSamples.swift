import ConntrackModel
import Exposition

extension Histogram: HistogramSamples {}
