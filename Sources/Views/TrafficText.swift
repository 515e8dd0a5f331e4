import ConntrackModel
import TextFormatting

/// How the views print traffic.
enum TrafficText {
    /// `{"sent_bytes":…,"received_bytes":…,"sent_packets":…,"received_packets":…}`.
    static func json(_ traffic: Traffic) -> String {
        var object = JSONObject()
        object.add("sent_bytes", traffic.sentBytes)
        object.add("received_bytes", traffic.receivedBytes)
        object.add("sent_packets", traffic.sentPackets)
        object.add("received_packets", traffic.receivedPackets)
        return object.text
    }
}
