import Exposition
import Glibc
import LinuxSystem

/// The standard `process_*` metrics, read from /proc/self.
public struct ProcessCollector: Collector {
    static let cpu = MetricDescriptor("process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.")
    static let resident = MetricDescriptor("process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.")
    static let virtual = MetricDescriptor("process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.")
    static let openFDs = MetricDescriptor("process_open_fds", .gauge, help: "Number of open file descriptors.")
    static let maxFDs = MetricDescriptor("process_max_fds", .gauge, help: "Maximum number of open file descriptors.")
    static let startTime = MetricDescriptor("process_start_time_seconds", .gauge,
        help: "Start time of the process since unix epoch in seconds.")
    static let threads = MetricDescriptor("process_threads", .gauge, help: "Number of OS threads in the process.")

    public init() {}

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws {
        let stat = try ProcSelf.stat()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let bootTime = try ProcSelf.bootTime()
        writer.header(Self.cpu)
        writer.sample(Self.cpu.name, floatValue: Double(stat.userTicks + stat.systemTicks) / ticks)
        writer.header(Self.resident)
        writer.sample(Self.resident.name, value: stat.residentPages * pageSize)
        writer.header(Self.virtual)
        writer.sample(Self.virtual.name, value: stat.virtualBytes)
        writer.header(Self.openFDs)
        writer.sample(Self.openFDs.name, value: UInt64(try ProcSelf.openDescriptors()))
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        writer.header(Self.maxFDs)
        writer.sample(Self.maxFDs.name, value: UInt64(limit.rlim_cur))
        writer.header(Self.startTime)
        writer.sample(Self.startTime.name, floatValue: Double(bootTime) + Double(stat.startTicks) / ticks)
        writer.header(Self.threads)
        writer.sample(Self.threads.name, value: stat.threads)
    }
}
