import CCrypt

/// Turns a web config's YAML into a ``WebConfig``, strictly: an unknown key, a wrong type
/// or a value exporter-toolkit would refuse is an error naming the key.
struct WebConfigParser {
    let file: String
    let folder: String

    private func failure(_ key: String, _ reason: String) -> WebConfigError {
        WebConfigError(file: file, key: key, reason: reason)
    }

    /// With `requireSettings`, a file that holds no document (empty, or comments only) is refused.
    func parse(_ text: String, requireSettings: Bool = false) throws(WebConfigError) -> WebConfig {
        let root: YAMLNode?
        do {
            root = try YAMLNode.load(text)
        } catch {
            throw failure("", error.description)
        }
        var config = WebConfig()
        guard let root else {
            if requireSettings { throw failure("", "the file holds no settings (empty, or being written?)") }
            return config
        }
        for (key, value) in try mapping(root, at: "") {
            switch key {
            case "tls_server_config": config.tls = try tls(value)
            case "http_server_config": config.headers = try headers(value)
            case "basic_auth_users": config.users = try users(value)
            default: throw failure(key, "unknown key (expected tls_server_config, http_server_config, basic_auth_users)")
            }
        }
        return config
    }

    private func tls(_ node: YAMLNode) throws(WebConfigError) -> WebConfig.TLS? {
        let path = "tls_server_config"
        var certFile: String?, keyFile: String?, clientCAFile: String?
        var clientAuth = ClientAuthType.noClientCert
        var minVersion = TLSVersion.tls12, maxVersion = TLSVersion.tls13
        var cipherSuites: [String]?, groups: [String]?
        var preferServer = true
        for (key, value) in try mapping(node, at: path) {
            let at = "\(path).\(key)"
            switch key {
            case "cert_file": certFile = try fileName(value, at: at)
            case "key_file": keyFile = try fileName(value, at: at)
            case "client_ca_file": clientCAFile = try fileName(value, at: at)
            case "client_auth_type": clientAuth = try choice(value, at: at)
            case "min_version": minVersion = try choice(value, at: at)
            case "max_version": maxVersion = try choice(value, at: at)
            case "cipher_suites": cipherSuites = try strings(value, at: at)
            case "curve_preferences":
                groups = try strings(value, at: at).map { (name) throws(WebConfigError) -> String in
                    guard let group = WebConfig.curves[name] else {
                        throw failure(at, "unknown curve \"\(name)\" (\(WebConfig.curves.keys.sorted().joined(separator: ", ")))")
                    }
                    return group
                }
            case "prefer_server_cipher_suites":
                guard let flag = value.bool else { throw failure(at, "expected true or false") }
                preferServer = flag
            default:
                throw failure(at, "unknown key")
            }
        }
        guard certFile != nil || keyFile != nil || clientCAFile != nil else { return nil }
        guard let certFile else { throw failure("\(path).cert_file", "missing (key_file is set)") }
        guard let keyFile else { throw failure("\(path).key_file", "missing (cert_file is set)") }
        if clientCAFile != nil && clientAuth == .noClientCert {
            throw failure("\(path).client_auth_type", "client_ca_file is set: choose a client_auth_type that asks for certificates")
        }
        if clientCAFile == nil && clientAuth.verifies {
            throw failure("\(path).client_ca_file", "missing: \(clientAuth.rawValue) checks certificates against it")
        }
        guard minVersion <= maxVersion else { throw failure("\(path).min_version", "is above max_version") }
        return WebConfig.TLS(certFile: certFile, keyFile: keyFile, clientAuth: clientAuth, clientCAFile: clientCAFile,
                             minVersion: minVersion, maxVersion: maxVersion, cipherSuites: cipherSuites,
                             groups: groups, preferServerCipherSuites: preferServer)
    }

    private func headers(_ node: YAMLNode) throws(WebConfigError) -> [String: String] {
        var headers: [String: String] = [:]
        for (key, value) in try mapping(node, at: "http_server_config") {
            let at = "http_server_config.\(key)"
            switch key {
            case "headers":
                for (name, headerValue) in try mapping(value, at: at) {
                    let headerAt = "\(at).\(name)"
                    guard let allowed = WebConfig.allowedHeaders.first(where: { $0.key.lowercased() == name.lowercased() }) else {
                        throw failure(headerAt, "not a header the server may set (\(WebConfig.allowedHeaders.keys.sorted().joined(separator: ", ")))")
                    }
                    let text = try string(headerValue, at: headerAt)
                    if let values = allowed.value, !values.contains(text.lowercased()) {
                        throw failure(headerAt, "must be one of \(values.joined(separator: ", "))")
                    }
                    guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7f }) else { throw failure(headerAt, "control characters") }
                    headers[allowed.key] = text
                }
            case "http2":
                guard value.bool == false else { throw failure(at, "HTTP/2 is not served: only false is accepted") }
            default:
                throw failure(at, "unknown key (expected headers)")
            }
        }
        return headers
    }

    private func users(_ node: YAMLNode) throws(WebConfigError) -> [String: String] {
        var users: [String: String] = [:]
        for (name, value) in try mapping(node, at: "basic_auth_users") {
            let at = "basic_auth_users.\(name)"
            let hash = try string(value, at: at)
            guard ccrypt_is_bcrypt(hash) == 1 else {
                throw failure(at, "not a bcrypt hash (make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')")
            }
            users[name] = hash
        }
        return users
    }

    private func mapping(_ node: YAMLNode, at path: String) throws(WebConfigError) -> [(String, YAMLNode)] {
        if node.isNull { return [] }
        guard case .mapping(let pairs) = node else { throw failure(path, "expected a mapping of keys to values") }
        return try pairs.map { (key, value) throws(WebConfigError) in
            guard let name = key.string else { throw failure(path, "keys must be strings") }
            return (name, value)
        }
    }

    private func string(_ node: YAMLNode, at path: String) throws(WebConfigError) -> String {
        guard let text = node.string else { throw failure(path, "expected a string") }
        return text
    }

    private func strings(_ node: YAMLNode, at path: String) throws(WebConfigError) -> [String] {
        guard case .sequence(let sequence) = node else { throw failure(path, "expected a list") }
        return try sequence.map { (item) throws(WebConfigError) in try string(item, at: path) }
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(_ node: YAMLNode, at path: String) throws(WebConfigError) -> Choice
    where Choice.RawValue == String {
        let text = try string(node, at: path)
        guard let value = Choice(rawValue: text) else {
            throw failure(path, "unknown value \"\(text)\" (\(Choice.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return value
    }

    /// A file name, relative to the config file's folder unless absolute.
    private func fileName(_ node: YAMLNode, at path: String) throws(WebConfigError) -> String? {
        let name = try string(node, at: path)
        if name.isEmpty { return nil }
        return name.hasPrefix("/") ? name : "\(folder)/\(name)"
    }
}
