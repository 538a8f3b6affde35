// Placeholder until the `start` subcommand lands; owned by the helper building it.
export async function run(_argv: string[]): Promise<number> {
  console.error("ep-lab start: not implemented yet");
  return 1;
}
