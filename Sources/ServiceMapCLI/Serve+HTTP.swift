import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server for the preview, on 127.0.0.1 only: GET and HEAD of files under one
/// folder, plus answers the preview itself gives (`/__servicemap/…`). One request per connection.
/// Written on POSIX sockets so servicemap needs no server package.
final class PreviewHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (_ path: String) -> Response?

    struct Response: Sendable {
        var status: Int
        var contentType: String
        var body: Data
        var headers: [String: String] = [:]
    }

    private let listener: Int32
    let port: UInt16
    private let root: @Sendable () -> URL
    private let special: Handler
    private let transform: @Sendable (_ html: Data) -> Data
    private let queue = DispatchQueue(label: "servicemap.serve.connections", attributes: .concurrent)
    private let lock = NSLock()
    private var stopped = false

    /// Binds 127.0.0.1:`port` (0 picks a free port; `port` then says which).
    /// - Parameters:
    ///   - root: the folder served, asked per request (a rebuild may replace it).
    ///   - special: answers for paths the preview owns; nil falls through to files.
    ///   - transform: applied to every HTML page served (the reload script goes in here).
    init(port requested: UInt16, root: @escaping @Sendable () -> URL, special: @escaping Handler,
         transform: @escaping @Sendable (Data) -> Data) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServeError("could not open a socket (errno \(errno))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requested.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ServeError("could not listen on 127.0.0.1:\(requested) (errno \(errno)); is another server using it? Try --port")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: actual.sin_port)
        self.root = root
        self.special = special
        self.transform = transform
    }

    /// Accepts connections on a background thread until `stop()`.
    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "servicemap serve"
        thread.start()
    }

    func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if isStopped { return }
                continue
            }
            queue.async { [self] in handle(client) }
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 65536 {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { break }
            request.append(contentsOf: buffer[0..<n])
            if request.range(of: Data("\r\n\r\n".utf8)) != nil { break }
        }
        guard let line = String(data: request.prefix { $0 != 13 && $0 != 10 }, encoding: .utf8) else { return }
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return send(client, Response(status: 400, contentType: "text/plain", body: Data("bad request\n".utf8)), head: false) }
        let method = String(parts[0])
        guard method == "GET" || method == "HEAD" else {
            return send(client, Response(status: 405, contentType: "text/plain", body: Data("only GET and HEAD\n".utf8), headers: ["Allow": "GET, HEAD"]), head: false)
        }
        var path = String(parts[1])
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<q]) }
        let decoded = path.removingPercentEncoding ?? path
        if let response = special(decoded) { return send(client, response, head: method == "HEAD") }
        send(client, file(decoded), head: method == "HEAD")
    }

    /// A file under the root, `index.html` for a folder; nothing outside the root is ever served.
    func file(_ path: String) -> Response {
        let segments = path.split(separator: "/").map(String.init)
        guard !segments.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") || $0.contains("\0") }) else {
            return Response(status: 404, contentType: "text/plain", body: Data("not found\n".utf8))
        }
        var url = root()
        for segment in segments { url.appendPathComponent(segment) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            if !path.hasSuffix("/") {
                return Response(status: 301, contentType: "text/plain", body: Data(), headers: ["Location": path + "/"])
            }
            url.appendPathComponent("index.html")
        }
        guard let data = try? Data(contentsOf: url) else {
            let notFound = (try? Data(contentsOf: root().appendingPathComponent("404.html"))).map(transform) ?? Data("not found\n".utf8)
            return Response(status: 404, contentType: notFound.starts(with: Data("not found".utf8)) ? "text/plain" : "text/html; charset=utf-8", body: notFound)
        }
        let type = Self.contentType(url.pathExtension)
        return Response(status: 200, contentType: type, body: type.hasPrefix("text/html") ? transform(data) : data)
    }

    static func contentType(_ ext: String) -> String {
        switch ext.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "xml": "application/xml"
        case "atom": "application/atom+xml"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt", "dot", "mmd": "text/plain; charset=utf-8"
        case "csv": "text/csv; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    private func send(_ client: Int32, _ response: Response, head: Bool) {
        var header = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        header += "Content-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
        header += "Cache-Control: no-store\r\nConnection: close\r\n"
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { header += "\(name): \(value)\r\n" }
        var bytes = Data(header.utf8) + Data("\r\n".utf8)
        if !head { bytes += response.body }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                let n = Glibc.send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let n = Darwin.send(client, raw.baseAddress! + offset, raw.count - offset, 0)
                #endif
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
