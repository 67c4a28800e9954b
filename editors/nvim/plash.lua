-- Plashfiles in Neovim (0.7 and later): filetype detection, the Vim
-- syntax file, and the plash language server started for each Plashfile.
--
-- Install: put the editors/vim directory on the runtime path and load this
-- file from init.lua, for example
--
--   vim.opt.runtimepath:append("/path/to/plash/editors/vim")
--   dofile("/path/to/plash/editors/nvim/plash.lua")
--
-- or copy the lines below into your configuration. `plash` must be in
-- $PATH (or set vim.g.plash_cmd = { "/path/to/plash", "lsp" }).

local group = vim.api.nvim_create_augroup("plash", { clear = true })

-- Filetype: files named Plashfile or *.plash, and scripts whose shebang
-- names plash-exec (the same rules as editors/vim/ftdetect/plash.vim, for
-- configurations that do not put editors/vim on the runtime path).
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  group = group,
  pattern = { "Plashfile", "*.Plashfile", "*.plash" },
  command = "setfiletype plash",
})
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  group = group,
  pattern = "*",
  callback = function()
    if vim.fn.getline(1):match("^#!.*plash%-exec") then
      vim.bo.filetype = "plash"
    end
  end,
})

-- The language server: one client per project root (the directory of the
-- Plashfile), reused by every Plashfile buffer under it.
local clients = {}

local function start(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local root = vim.fn.fnamemodify(name, ":p:h")
  local config = {
    name = "plash",
    cmd = vim.g.plash_cmd or { "plash", "lsp" },
    root_dir = root,
  }
  if vim.lsp.start then -- Neovim 0.8 and later
    vim.lsp.start(config, { bufnr = buf })
    return
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(buf, id)
  end
end

vim.api.nvim_create_autocmd("FileType", {
  group = group,
  pattern = "plash",
  callback = function(args)
    start(args.buf)
    vim.bo[args.buf].commentstring = "--# %s"
  end,
})
