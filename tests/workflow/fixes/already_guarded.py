# fix-mode: unsafe
import os
from flask import Flask

app = Flask(__name__)

if __name__ == '__main__':
    # single quotes and odd spacing survive the fix
    app.run( host = '0.0.0.0' , debug = True )
