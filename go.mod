module github.com/twinning/twinning

go 1.26.8
