import ArgumentParser
import Client

/// The executable's entry point: runs `FollowupCommand` asynchronously.
@main
enum FollowupMain {
    static func main() async {
        do {
            var command = try await FollowupCommand.asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            FollowupCommand.exit(withError: error)
        }
    }
}
