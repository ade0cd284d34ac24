// `pnpm mbz …`: runs the built `mbz` bin (packages/cli/bundle/mbz.cjs; `pnpm build` makes it) from the folder the user
// typed the command in. pnpm runs a root script in the repository's root and keeps the user's folder in INIT_CWD,
// so relative paths (`pnpm mbz inspect ./course.mbz`) resolve where the user is.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import('../packages/cli/bundle/mbz.cjs');
