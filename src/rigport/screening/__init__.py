"""rigport.screening"""
