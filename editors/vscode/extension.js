// The Plash extension: starts `plash lsp` for Plashfiles. Everything the
// editor shows (diagnostics, completion, hover, definitions, symbols,
// folding, semantic tokens, formatting, quick fixes) comes from the server.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("plash").get("path") || "plash";
  const serverOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [{ language: "plash" }],
    synchronize: {
      // Macro packs and included files change what a Plashfile reports.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.star"),
    },
  };
  client = new LanguageClient("plash", "Plash language server", serverOptions, clientOptions);
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
