import ServiceDesk
import ArgumentParser
print("x")
