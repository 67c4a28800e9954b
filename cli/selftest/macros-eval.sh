# Macros expand to the original's shell script, byte for byte.
expect "apt-get update
apt-get install -y pkg1 'shell escape'" "$(plash eval --apt pkg1 'shell escape')"
expect "hi" "$(plash eval -x hi)"
expect "### plash hint: layer
touch /a" "$(plash eval --layer --run 'touch /a')"
printf -- '--run\necho from-file\n' > Plashfile
expect "echo from-file" "$(plash eval --eval-file Plashfile)"
