"""rigport.simulate"""
