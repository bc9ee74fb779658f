// Command broken does not compile: the bundling tests build it to check how
// a failed function build is reported.
package main

func main() {
	var n int = "not a number"
	_ = n
}
