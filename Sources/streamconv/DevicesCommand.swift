import ArgumentParser
import StreamConvALSA
import StreamConvLive

/// `streamconv devices`: the ALSA PCM devices, like `arecord -L`.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List ALSA PCM devices for capture and playback (as arecord -L does).")

    func run() throws {
        let devices = ALSADevices.list()
        if devices.isEmpty {
            print("no ALSA PCM devices found")
            return
        }
        for device in devices {
            print("\(device.name)  (\(device.directions))")
            if !device.description.isEmpty { print("    \(device.description)") }
        }
    }
}
