import ArgumentParser
import Client
import Desk

/// The executable's entry point: the Client library's commands and the desk.
@main
struct FollowupMain: AsyncParsableCommand {
    static let configuration: CommandConfiguration = {
        var configuration = FollowupCommand.configuration
        configuration.subcommands.append(DeskCommand.self)
        return configuration
    }()

    @OptionGroup var options: ReplicaOptions
}
