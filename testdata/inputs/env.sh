export GREETING=hello
export LANG=C.UTF-8
