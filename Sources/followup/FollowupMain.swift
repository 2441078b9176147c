import ArgumentParser
import Client

/// The executable's entry point: runs `FollowupCommand` asynchronously.
@main
enum FollowupMain {
    static func main() async {
        await FollowupCommand.main()
    }
}
