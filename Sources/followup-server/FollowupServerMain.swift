import ArgumentParser
import Server

/// The executable's entry point: parses the command line and runs `ServerCommand`.
@main
enum FollowupServerMain {
    static func main() async {
        await ServerCommand.main()
    }
}
