import ArgumentParser
import Server

/// The executable's entry point: runs `ServerCommand` asynchronously.
@main
enum FollowupServerMain {
    static func main() async {
        do {
            var command = try await ServerCommand.asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ServerCommand.exit(withError: error)
        }
    }
}
