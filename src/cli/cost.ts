// Placeholder until the `cost` subcommand lands; owned by the helper building it.
export async function run(_argv: string[]): Promise<number> {
  console.error("ep-lab cost: not implemented yet");
  return 1;
}
