import ServiceDesk
import Hummingbird
import GRDB
print("x")
