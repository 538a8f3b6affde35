// Placeholder until the `route` subcommand lands; owned by the helper building it.
export async function run(_argv: string[]): Promise<number> {
  console.error("ep-lab route: not implemented yet");
  return 1;
}
